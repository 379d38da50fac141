// a memory bomb: 1 MB buffers until the heap's faas_memory cap (500, the
// heap is thrown away and rebuilt on next use); buffers reach the cap with
// the fewest instructions, so the cost is the memory's own
module.exports = function (ctx) {
    var kept = [];

    for (;;) {
        kept.push(new Uint8Array(1 << 20));
    }
};
