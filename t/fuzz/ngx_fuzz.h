
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FUZZ_H_INCLUDED_
#define _NGX_FUZZ_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_faas.h"


/* the outcomes a harness accepts; anything else aborts, as a crash does */
#define NGX_FUZZ_ALLOW(e)  (1u << (e))


void ngx_fuzz_init(void);
ngx_http_request_t *ngx_fuzz_request(void);
void ngx_fuzz_header(ngx_http_request_t *r, u_char *key, size_t klen,
    u_char *value, size_t vlen);
ngx_faas_call_t *ngx_fuzz_run(ngx_http_request_t *r, u_char *name,
    size_t nlen, u_char *body, size_t blen, ngx_uint_t allow);
void ngx_fuzz_body(const char *type, const uint8_t *data, size_t size);
void ngx_fuzz_done(ngx_http_request_t *r);
u_char *ngx_fuzz_copy(ngx_pool_t *pool, const u_char *p, size_t len);
void ngx_fuzz_check_text(const char *what, u_char *p, size_t len);

/* ngx_fuzz_stubs.c */
ngx_pool_t *ngx_fuzz_pool_create(ngx_log_t *log);
void ngx_fuzz_pool_destroy(ngx_pool_t *pool);
void ngx_fuzz_log_line(u_char *line, size_t len);


#endif /* _NGX_FUZZ_H_INCLUDED_ */
