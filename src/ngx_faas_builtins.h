
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_BUILTINS_H_INCLUDED_
#define _NGX_FAAS_BUILTINS_H_INCLUDED_


#include "ngx_faas.h"


/* one function of a built-in: its JavaScript name, nargs and "length" */
typedef struct {
    const char      *name;
    duk_c_function   handler;
    duk_idx_t        nargs;
    duk_int_t        length;
    duk_int_t        magic;
} ngx_faas_builtins_fn_t;


void ngx_faas_builtins_init(duk_context *duk);
void ngx_faas_builtins_define(duk_context *duk, duk_idx_t idx,
    ngx_faas_builtins_fn_t *fn);
void ngx_faas_builtins_push_function(duk_context *duk,
    ngx_faas_builtins_fn_t *fn);
void ngx_faas_builtins_iterate(duk_context *duk, duk_idx_t idx,
    duk_safe_call_function step, void *data);
duk_bool_t ngx_faas_builtins_iterable(duk_context *duk, duk_idx_t idx);


#endif /* _NGX_FAAS_BUILTINS_H_INCLUDED_ */
