
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_REQUIRE_H_INCLUDED_
#define _NGX_FAAS_REQUIRE_H_INCLUDED_


#include "ngx_faas.h"


ngx_int_t ngx_faas_require_name_valid(ngx_str_t *name);
void ngx_faas_require_init(duk_context *duk, ngx_str_t *root,
    ngx_uint_t max);
ngx_int_t ngx_faas_require_function(duk_context *duk, ngx_str_t *name);
ngx_int_t ngx_faas_require_check(duk_context *duk, ngx_str_t *name);


#endif /* _NGX_FAAS_REQUIRE_H_INCLUDED_ */
