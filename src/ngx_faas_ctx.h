
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_CTX_H_INCLUDED_
#define _NGX_FAAS_CTX_H_INCLUDED_


#include "ngx_faas.h"


ngx_faas_ctx_t *ngx_faas_ctx_find(ngx_http_request_t *r);
ngx_faas_ctx_t *ngx_faas_ctx_get(ngx_http_request_t *r);
ngx_str_t *ngx_faas_ctx_request_id(ngx_faas_ctx_t *ctx);


#endif /* _NGX_FAAS_CTX_H_INCLUDED_ */
