-- hello: Lua port of fn/hello.js (same answer, byte for byte)
return function (name)
    return { message = 'hello ' .. name }
end
