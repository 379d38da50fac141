
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_TRACE_H_INCLUDED_
#define _NGX_FAAS_TRACE_H_INCLUDED_


#include "ngx_faas.h"


void ngx_faas_trace_push(duk_context *duk, duk_idx_t idx, ngx_uint_t flat);
void ngx_faas_trace_file(duk_context *duk, const char *file);
const char *ngx_faas_trace_es2015(const char *src, size_t len,
    ngx_uint_t line);


#endif /* _NGX_FAAS_TRACE_H_INCLUDED_ */
