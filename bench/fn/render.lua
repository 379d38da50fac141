-- render: Lua port of fn/render.js, statement for statement (string
-- concatenation, pattern-based escaping with a replacement table); the
-- page must come out byte for byte the same
local ESCAPES = { ['&'] = '&amp;', ['<'] = '&lt;', ['>'] = '&gt;', ['"'] = '&quot;', ["'"] = '&#39;' }
local ESCAPE_RE = '[&<>"\']'

local gsub, tostring, floor = string.gsub, tostring, math.floor

local function esc(s)
    return (gsub(tostring(s), ESCAPE_RE, ESCAPES))
end

local function money(cents)
    local c = cents % 100
    return floor(cents / 100) .. '.' .. (c < 10 and '0' or '') .. c
end

return function (props)
    local out = ''
    local products = props.products
    local p

    out = out .. '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
    out = out .. '<title>' .. esc(props.title) .. ' | ' .. esc(props.shop) .. '</title>\n'
    out = out .. '<link rel="stylesheet" href="/static/shop.css">\n</head>\n<body>\n'
    out = out .. '<header class="site-header">\n<a class="logo" href="/">' .. esc(props.shop) .. '</a>\n'
    out = out .. '<span class="user">Signed in as <b>' .. esc(props.user.name) .. '</b></span>\n'
    out = out .. '<a class="cart" href="/cart">Cart (' .. props.user.cartItems .. ')</a>\n</header>\n'
    out = out .. '<main>\n<h1>' .. esc(props.title) .. '</h1>\n'
    out = out .. '<p class="count">' .. #products .. ' products</p>\n<ul class="products">\n'
    for i = 1, #products do
        p = products[i]
        out = out .. '<li class="product' .. (p.stock == 0 and ' sold-out' or '') .. '" id="product-' .. esc(p.id) .. '">\n'
        out = out .. '<h2 class="product-name"><a href="/products/' .. esc(p.id) .. '">' .. esc(p.name) .. '</a></h2>\n'
        out = out .. '<p class="product-price"><span class="currency">$</span>' .. money(p.price) .. '</p>\n'
        out = out .. '<p class="product-description">' .. esc(p.description) .. '</p>\n'
        out = out .. '<ul class="tags">'
        for j = 1, #p.tags do
            out = out .. '<li class="tag">' .. esc(p.tags[j]) .. '</li>'
        end
        out = out .. '</ul>\n'
        if p.stock == 0 then
            out = out .. '<p class="stock out">Sold out</p>\n'
        else
            out = out .. '<p class="stock">' .. p.stock .. ' in stock</p>\n'
            out = out .. '<button class="add-to-cart" data-id="' .. esc(p.id) .. '">Add to cart</button>\n'
        end
        out = out .. '</li>\n'
    end
    out = out .. '</ul>\n</main>\n<footer class="site-footer">&copy; ' .. esc(props.shop) .. '</footer>\n'
    out = out .. '</body>\n</html>\n'
    return out
end
