
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_VM_H_INCLUDED_
#define _NGX_FAAS_VM_H_INCLUDED_


#include "ngx_faas.h"


/* adds the globals of every heap; runs in a protected call, may throw */
typedef void (*ngx_faas_vm_init_pt)(duk_context *duk, ngx_faas_app_t *app);


ngx_faas_vm_t *ngx_faas_vm_create(ngx_faas_app_t *app,
    ngx_faas_vm_init_pt init);
void ngx_faas_vm_free(ngx_faas_vm_t *vm);
void ngx_faas_vm_destroy(ngx_faas_app_t *app);
void ngx_faas_vm_start(ngx_faas_vm_t *vm, ngx_msec_t budget);
ngx_faas_vm_t *ngx_faas_vm_from(duk_context *duk);
ngx_int_t ngx_faas_vm_plain(duk_context *duk, duk_idx_t idx);
void ngx_faas_vm_module_added(duk_context *duk);
void ngx_faas_vm_totals(size_t *bytes, ngx_uint_t *modules);
ngx_int_t ngx_faas_vm_string(duk_context *duk, duk_idx_t idx, ngx_pool_t *pool,
    ngx_str_t *s);
duk_bool_t ngx_faas_vm_exec_timeout_check(void *udata);
duk_bool_t ngx_faas_vm_stack_check(void);


#endif /* _NGX_FAAS_VM_H_INCLUDED_ */
