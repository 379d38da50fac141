
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_WEB_H_INCLUDED_
#define _NGX_FAAS_WEB_H_INCLUDED_


#include "ngx_faas.h"


void ngx_faas_web_init(duk_context *duk);
duk_ret_t ngx_faas_web_throw(duk_context *duk, const char *name,
    duk_int_t code, const char *message);


#endif /* _NGX_FAAS_WEB_H_INCLUDED_ */
