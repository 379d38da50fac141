
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_BSON_H_INCLUDED_
#define _NGX_FAAS_BSON_H_INCLUDED_


#include "ngx_faas.h"


void ngx_faas_bson_push(duk_context *duk, u_char *data, size_t len);


#endif /* _NGX_FAAS_BSON_H_INCLUDED_ */
