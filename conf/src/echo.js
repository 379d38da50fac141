// echoes what the function sees of the request
export default ({ method, path, query, body, headers }) => ({
    method,
    path,
    query,
    body,
    contentType: headers['content-type'] ?? null,
});
