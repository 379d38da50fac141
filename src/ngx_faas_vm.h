
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_VM_H_INCLUDED_
#define _NGX_FAAS_VM_H_INCLUDED_


#include "ngx_faas.h"


/* handlers found by name, a direct-mapped cache per heap (call.c) */
#define NGX_FAAS_VM_HANDLERS        8
#define NGX_FAAS_VM_HANDLER_NAME    48


typedef struct {
    void                      *handler;   /* kept alive in the stash */
    size_t                     len;
    u_char                     name[NGX_FAAS_VM_HANDLER_NAME];
} ngx_faas_vm_handler_t;


/* JavaScript run for a waiting call, inside a protected call: may throw */
typedef void (*ngx_faas_vm_run_pt)(duk_context *duk, void *data);

/*
 * runs it for the call under the call's budgets, then the Promise jobs,
 * then answers the calls that settled (call.c's, see ngx_faas.h)
 */
typedef void (*ngx_faas_vm_resume_pt)(ngx_faas_call_t *call,
    ngx_faas_vm_run_pt run, void *data);


/*
 * what the files above keep in each heap; the heap never looks inside.
 * Heap pointers are kept alive in the stash by the file that sets them
 */
typedef struct {
    void                      *ctx_proto;   /* request.c */
    void                      *ctx;         /* of the call in progress */
    void                      *replace;     /* string.c */
    void                      *to_string;
    void                      *escape_re;
    u_char                     escape_set[256];
    ngx_uint_t                 jobs_seen;   /* call.c */
    ngx_faas_vm_resume_pt      resume;
    ngx_queue_t                pending;     /* of waiting calls */
    ngx_queue_t                settled;     /* ... whose promise settled */
    ngx_uint_t                 waits;       /* of all its calls */
    ngx_uint_t                 next_call;   /* ids of waiting calls */
    ngx_uint_t                 next_timer;  /* timers.c */
    ngx_rbtree_t               timers;      /* timers.c: by id */
    ngx_rbtree_node_t          timers_sentinel;
    ngx_faas_vm_handler_t      handlers[NGX_FAAS_VM_HANDLERS];
} ngx_faas_vm_data_t;


/* adds the globals of every heap; runs in a protected call, may throw */
typedef void (*ngx_faas_vm_init_pt)(duk_context *duk, ngx_faas_app_t *app);


ngx_faas_vm_t *ngx_faas_vm_create(ngx_faas_app_t *app,
    ngx_faas_vm_init_pt init);
void ngx_faas_vm_free(ngx_faas_vm_t *vm);
void ngx_faas_vm_destroy(ngx_faas_app_t *app);
void ngx_faas_vm_start(ngx_faas_vm_t *vm, ngx_faas_call_t *call,
    ngx_msec_t budget);
uint64_t ngx_faas_vm_stop(ngx_faas_vm_t *vm);
ngx_int_t ngx_faas_vm_later(ngx_event_t *ev);
ngx_uint_t ngx_faas_vm_turn_over(void);
void ngx_faas_vm_turn_begin(void);
void ngx_faas_vm_turn_end(void);
ngx_faas_error_e ngx_faas_vm_stopped(ngx_faas_vm_t *vm);
volatile ngx_uint_t *ngx_faas_vm_timeout_flag(ngx_faas_vm_t *vm);
duk_context *ngx_faas_vm_duk(ngx_faas_vm_t *vm);
ngx_log_t *ngx_faas_vm_log(ngx_faas_vm_t *vm);
ngx_faas_call_t *ngx_faas_vm_call(ngx_faas_vm_t *vm);
ngx_faas_app_t *ngx_faas_vm_app(ngx_faas_vm_t *vm);
ngx_faas_vm_data_t *ngx_faas_vm_data(ngx_faas_vm_t *vm);
ngx_faas_vm_t *ngx_faas_vm_from(duk_context *duk);
uint32_t ngx_faas_vm_hash_word(duk_context *duk, uint64_t word);
ngx_int_t ngx_faas_vm_plain(duk_context *duk, duk_idx_t idx);
void ngx_faas_vm_refs(duk_context *duk, const char *key);
ngx_uint_t ngx_faas_vm_ref(duk_context *duk, const char *key);
void ngx_faas_vm_push_ref(duk_context *duk, const char *key, ngx_uint_t ref);
void ngx_faas_vm_unref(duk_context *duk, const char *key, ngx_uint_t ref);
void ngx_faas_vm_module_added(duk_context *duk);
void ngx_faas_vm_module_removed(duk_context *duk);
void ngx_faas_vm_totals(size_t *bytes, ngx_uint_t *modules);
ngx_int_t ngx_faas_vm_string(duk_context *duk, duk_idx_t idx, ngx_pool_t *pool,
    ngx_str_t *s);
u_char *ngx_faas_vm_escape(u_char *dst, u_char *last, u_char *src,
    size_t len);
duk_bool_t ngx_faas_vm_exec_timeout_check(void *udata);
duk_bool_t ngx_faas_vm_stack_check(void);


#endif /* _NGX_FAAS_VM_H_INCLUDED_ */
