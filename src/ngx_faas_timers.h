
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_TIMERS_H_INCLUDED_
#define _NGX_FAAS_TIMERS_H_INCLUDED_


#include "ngx_faas.h"


/* setTimeout() and friends, queueMicrotask(); once per heap, may throw */
void ngx_faas_timers_init(duk_context *duk);


#endif /* _NGX_FAAS_TIMERS_H_INCLUDED_ */
