
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_SHARED_H_INCLUDED_
#define _NGX_FAAS_SHARED_H_INCLUDED_


#include "ngx_faas.h"


void ngx_faas_shared_init(duk_context *duk);


#endif /* _NGX_FAAS_SHARED_H_INCLUDED_ */
