// outside the functions directory: no name may reach it
module.exports = function () { throw new Error('outside the app'); };
