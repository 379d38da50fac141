
/*
 * Copyright (C) ngx_faas authors
 */


/*
 * a BSON body, src/ngx_faas_bson.c over libbson's iterator, into
 * ctx.body: 400, 413 or answered
 */


#include "ngx_fuzz.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ngx_fuzz_body("application/bson", data, size);

    return 0;
}
