
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_RESPONSE_H_INCLUDED_
#define _NGX_FAAS_RESPONSE_H_INCLUDED_


#include "ngx_faas.h"


void ngx_faas_response_init(duk_context *duk);
void ngx_faas_response_set(duk_context *duk, ngx_faas_call_t *call);


#endif /* _NGX_FAAS_RESPONSE_H_INCLUDED_ */
