// run by `faas_schedule 10s heartbeat;` in one worker every 10 s: no
// request, ctx.schedule says so ({ interval: 10000, name: 'heartbeat' })
export default (ctx) => {
    const beats = shared.views.incr('beats');

    shared.views.set('heartbeat', { at: new Date(), beats, every: ctx.schedule.interval });
    console.info(`heartbeat ${beats}`);
};
