
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_REQUEST_H_INCLUDED_
#define _NGX_FAAS_REQUEST_H_INCLUDED_


#include "ngx_faas.h"


#define NGX_FAAS_REQUEST_ID_HEADER  "X-Request-ID"
#define NGX_FAAS_REQUEST_ID_MAX     128


void ngx_faas_request_init(duk_context *duk);
void ngx_faas_request_push(duk_context *duk, ngx_faas_call_t *call);
ngx_str_t *ngx_faas_request_id(ngx_faas_call_t *call);
ngx_int_t ngx_faas_request_id_of(ngx_http_request_t *r, ngx_str_t *id);


#endif /* _NGX_FAAS_REQUEST_H_INCLUDED_ */
