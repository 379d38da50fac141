
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_OUTPUT_H_INCLUDED_
#define _NGX_FAAS_OUTPUT_H_INCLUDED_


#include <jansson.h>

#include "ngx_faas.h"


ngx_int_t ngx_faas_output_send(ngx_faas_call_t *call);
ngx_int_t ngx_faas_output_text(ngx_http_request_t *r, json_t *json,
    size_t flags, ngx_str_t *out);
ngx_int_t ngx_faas_output_add_header(ngx_http_request_t *r, ngx_str_t *name,
    ngx_str_t *value);
ngx_int_t ngx_faas_output_body(ngx_http_request_t *r, ngx_str_t *type,
    ngx_str_t *out);


#endif /* _NGX_FAAS_OUTPUT_H_INCLUDED_ */
