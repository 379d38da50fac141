
/*
 * Copyright (C) ngx_faas authors
 */


/*
 * a JSON body: client bytes made UTF-8, then JSON.parse(), into
 * ctx.body: 400, 413 or answered
 */


#include "ngx_fuzz.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ngx_fuzz_body("application/json", data, size);

    return 0;
}
