
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_FETCH_H_INCLUDED_
#define _NGX_FAAS_FETCH_H_INCLUDED_


#include "ngx_faas.h"


/* fetch() and Headers; once per heap, may throw */
void ngx_faas_fetch_init(duk_context *duk);


#endif /* _NGX_FAAS_FETCH_H_INCLUDED_ */
