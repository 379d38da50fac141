
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_BSON_H_INCLUDED_
#define _NGX_FAAS_BSON_H_INCLUDED_


#include "ngx_faas.h"


#include <bson.h>


void ngx_faas_bson_push(duk_context *duk, u_char *data, size_t len);
void ngx_faas_bson_push_stored(duk_context *duk, u_char *data, size_t len);
void ngx_faas_bson_encode(duk_context *duk, duk_idx_t idx, bson_t *doc);


#endif /* _NGX_FAAS_BSON_H_INCLUDED_ */
