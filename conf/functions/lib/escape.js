var map = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

module.exports = function (s) {
    return String(s).replace(/[&<>"']/g, function (c) { return map[c]; });
};
