
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_WATCHDOG_H_INCLUDED_
#define _NGX_FAAS_WATCHDOG_H_INCLUDED_


#include "ngx_faas.h"


ngx_int_t ngx_faas_watchdog_init(ngx_cycle_t *cycle);
void ngx_faas_watchdog_arm(ngx_msec_t budget, ngx_str_t *name);


#endif /* _NGX_FAAS_WATCHDOG_H_INCLUDED_ */
