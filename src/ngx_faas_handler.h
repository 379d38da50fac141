
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_HANDLER_H_INCLUDED_
#define _NGX_FAAS_HANDLER_H_INCLUDED_


#include "ngx_faas.h"


ngx_int_t ngx_faas_handler(ngx_http_request_t *r);
ngx_int_t ngx_faas_handler_read_body(ngx_http_request_t *r,
    ngx_faas_body_t *body);


#endif /* _NGX_FAAS_HANDLER_H_INCLUDED_ */
