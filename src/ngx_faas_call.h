
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_CALL_H_INCLUDED_
#define _NGX_FAAS_CALL_H_INCLUDED_


#include "ngx_faas.h"


void ngx_faas_call_run(ngx_faas_call_t *call);
ngx_int_t ngx_faas_call_preload(ngx_faas_app_t *app, ngx_log_t *log);
ngx_int_t ngx_faas_call_check(ngx_faas_app_t *app, ngx_str_t *name,
    ngx_log_t *log);


#endif /* _NGX_FAAS_CALL_H_INCLUDED_ */
