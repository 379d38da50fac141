
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_STATUS_H_INCLUDED_
#define _NGX_FAAS_STATUS_H_INCLUDED_


#include "ngx_faas.h"


char *ngx_faas_set_status(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);


#endif /* _NGX_FAAS_STATUS_H_INCLUDED_ */
