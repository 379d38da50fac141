
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_CALL_H_INCLUDED_
#define _NGX_FAAS_CALL_H_INCLUDED_


#include "ngx_faas.h"


typedef struct {
    ngx_uint_t                 status;
    ngx_str_t                  name;      /* in $faas_status */
    ngx_str_t                  text;      /* "error" of the JSON answer */
    ngx_uint_t                 level;     /* of the error-log line */
    const char                *log;       /* its format: name, detail */
} ngx_faas_error_t;


void ngx_faas_call_run(ngx_faas_call_t *call);
ngx_int_t ngx_faas_call_preload(ngx_faas_app_t *app, ngx_log_t *log);
ngx_int_t ngx_faas_call_check(ngx_faas_app_t *app, ngx_str_t *name,
    ngx_log_t *log);
ngx_faas_error_t *ngx_faas_call_error(ngx_faas_error_e error);
void ngx_faas_call_log(ngx_faas_call_t *call);


#endif /* _NGX_FAAS_CALL_H_INCLUDED_ */
