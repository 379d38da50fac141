-- report: Lua port of fn/report.js, statement for statement (find as the
-- guard before gsub, string.format for toFixed, rows with .., the page as
-- a table of parts concatenated at the end); the page must come out byte
-- for byte the same
local UNSAFE = '[&<>"\']'
local ENTITIES = { ['&'] = '&amp;', ['<'] = '&lt;', ['>'] = '&gt;', ['"'] = '&quot;', ["'"] = '&#39;' }

local find, gsub, format, sub, upper = string.find, string.gsub, string.format, string.sub, string.upper
local tostring, sort, concat = tostring, table.sort, table.concat

local function esc(s)
    s = tostring(s)
    if not find(s, UNSAFE) then
        return s
    end
    return (gsub(s, UNSAFE, ENTITIES))
end

local function fixed(n, d)
    return format('%.' .. d .. 'f', n)
end

local function cmp_items(a, b)
    if a.value ~= b.value then
        return a.value > b.value
    end
    return a.id < b.id
end

return function (props)
    local products, cur = props.products, esc(props.currency)
    local groups, order, tag_count, tag_names = {}, {}, {}, {}
    local totals = { count = 0, value = 0, stock = 0, sold_out = 0, described = 0 }
    local parts, n = {}, 0
    local p, g, key, item, items, row, max, desc, share

    local function push(s)
        n = n + 1
        parts[n] = s
    end

    -- pass 1: nested tables, one group per first tag
    for i = 1, #products do
        p = products[i]
        key = #p.tags > 0 and p.tags[1] or 'untagged'
        g = groups[key]
        if g == nil then
            g = { name = key, items = {},
                  stats = { count = 0, stock = 0, value = 0, sold_out = 0 } }
            groups[key] = g
            order[#order + 1] = key
        end
        item = { id = p.id, name = p.name, price = p.price, stock = p.stock,
                 value = p.price * p.stock, product = p }
        g.items[#g.items + 1] = item
        g.stats.count = g.stats.count + 1
        g.stats.stock = g.stats.stock + p.stock
        g.stats.value = g.stats.value + item.value
        if p.stock == 0 then
            g.stats.sold_out = g.stats.sold_out + 1
        end
    end

    -- pass 2: every tag counted, over all products
    for i = 1, #products do
        for j = 1, #products[i].tags do
            key = products[i].tags[j]
            if tag_count[key] == nil then
                tag_count[key] = 0
                tag_names[#tag_names + 1] = key
            end
            tag_count[key] = tag_count[key] + 1
        end
    end
    sort(tag_names, function (a, b)
        if tag_count[a] ~= tag_count[b] then
            return tag_count[a] > tag_count[b]
        end
        return a < b
    end)

    -- pass 3: groups by value, totals
    sort(order, function (a, b)
        if groups[a].stats.value ~= groups[b].stats.value then
            return groups[a].stats.value > groups[b].stats.value
        end
        return a < b
    end)
    for i = 1, #order do
        g = groups[order[i]]
        sort(g.items, cmp_items)
        totals.count = totals.count + g.stats.count
        totals.value = totals.value + g.stats.value
        totals.stock = totals.stock + g.stats.stock
        totals.sold_out = totals.sold_out + g.stats.sold_out
    end

    push('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">')
    push('<title>Stock report: ' .. esc(props.title) .. '</title>\n</head>\n<body>')
    push('<h1>' .. esc(props.title) .. '</h1>')
    push('<p class="by">Prepared for ' .. esc(props.user.name) ..
         (props.user.admin and ' <span class="admin">(admin)</span>' or '') .. '</p>')

    -- pass 4: a table per group, rows built with ..
    for i = 1, #order do
        g = groups[order[i]]
        items = g.items
        push('<section class="group" id="g-' .. esc(g.name) .. '">')
        push('<h2>' .. esc(upper(g.name)) .. ' <small>' .. g.stats.count ..
             ' items, ' .. fixed(g.stats.value, 2) .. ' ' .. cur .. '</small></h2>')
        push('<table>\n<tr><th>#</th><th>product</th><th>price</th><th>stock</th>' ..
             '<th>value</th><th>share</th><th>notes</th></tr>')
        for j = 1, #items do
            item = items[j]
            share = g.stats.value > 0 and item.value * 100 / g.stats.value or 0
            row = '<tr class="' .. (j % 2 == 1 and 'even' or 'odd') ..
                  (item.stock == 0 and ' out' or '') .. '">'
            row = row .. '<td>' .. j .. '</td>'
            row = row .. '<td><a href="/p/' .. item.id .. '">' .. esc(item.name) .. '</a></td>'
            row = row .. '<td class="n">' .. fixed(item.price, 2) .. '</td>'
            row = row .. '<td class="n">' .. (item.stock == 0 and '-' or item.stock) .. '</td>'
            row = row .. '<td class="n">' .. fixed(item.value, 2) .. '</td>'
            row = row .. '<td class="n">' .. fixed(share, 1) .. '%</td>'
            desc = item.product.description
            if #desc > 48 then
                desc = sub(desc, 1, 45) .. '...'
            end
            row = row .. '<td>' .. (desc == '' and '<i>none</i>' or esc(desc))
            for k = 2, #item.product.tags do
                row = row .. ' <span class="tag">' .. esc(item.product.tags[k]) .. '</span>'
            end
            row = row .. '</td></tr>'
            push(row)
            if desc ~= '' then
                totals.described = totals.described + 1
            end
        end
        push('</table>\n<p class="sum">' .. g.stats.stock .. ' in stock, ' ..
             g.stats.sold_out .. ' sold out, average ' ..
             fixed(g.stats.value / g.stats.count, 2) .. ' ' .. cur .. '</p>\n</section>')
    end

    -- pass 5: the tag cloud and the summary
    max = #tag_names > 0 and tag_count[tag_names[1]] or 1
    row = '<p class="cloud">'
    for i = 1, #tag_names do
        row = row .. (i > 1 and ' ' or '') .. '<span style="font-size:' ..
              fixed(0.75 + tag_count[tag_names[i]] / max, 2) .. 'em">' ..
              esc(tag_names[i]) .. '</span>'
    end
    push(row .. '</p>')
    push('<footer>' .. totals.count .. ' products in ' .. #order .. ' groups, ' ..
         totals.stock .. ' in stock, ' .. totals.sold_out .. ' sold out (' ..
         fixed(totals.sold_out * 100 / totals.count, 1) .. '%), ' ..
         totals.described .. ' described, total value ' ..
         fixed(totals.value, 2) .. ' ' .. cur .. '</footer>')
    push('</body>\n</html>\n')
    return concat(parts, '\n')
end
