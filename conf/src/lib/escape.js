const map = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export default (s) => String(s).replace(/[&<>"']/g, (c) => map[c]);
