// the probe of tools/faas-publish: answers 200 once this version's
// functions load in the new workers
module.exports = function () {
    return { status: 'ok' };
};
