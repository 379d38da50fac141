
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_STRING_H_INCLUDED_
#define _NGX_FAAS_STRING_H_INCLUDED_


#include "ngx_faas.h"


void ngx_faas_string_init(duk_context *duk);
void ngx_faas_string_push(duk_context *duk, u_char *p, size_t len);
size_t ngx_faas_string_utf8_answer(u_char *p, size_t len);


#endif /* _NGX_FAAS_STRING_H_INCLUDED_ */
