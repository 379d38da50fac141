module.exports = function (greeting, name) {
    return greeting + ' ' + (name || 'world');
};
