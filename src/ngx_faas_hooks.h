
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_HOOKS_H_INCLUDED_
#define _NGX_FAAS_HOOKS_H_INCLUDED_


#include "ngx_faas.h"


ngx_int_t ngx_faas_hooks_init(ngx_faas_vm_t *vm, ngx_msec_t budget,
    ngx_pool_t *pool, ngx_str_t *error);
void ngx_faas_hooks_wrap(duk_context *duk);


#endif /* _NGX_FAAS_HOOKS_H_INCLUDED_ */
