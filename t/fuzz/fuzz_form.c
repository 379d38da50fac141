
/*
 * Copyright (C) ngx_faas authors
 */


/* a form body, %-decoded strictly, into ctx.body: 400 or answered */


#include "ngx_fuzz.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ngx_fuzz_body("application/x-www-form-urlencoded", data, size);

    return 0;
}
