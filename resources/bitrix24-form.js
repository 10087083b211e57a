/* global document */
// The edit forms of the flow nodes, built from a few kinds of row so that each node's HTML lists its
// rows instead of repeating their markup. Every text comes from the node's catalog: `<type>.label.<name>`,
// `<type>.placeholder.<name>`, `<type>.option.<name>.<value>` and `<type>.tip.<name>`. The form becomes
// the `<script type="text/html" data-template-name="<type>">` element that the editor copies into the
// dialog when it opens (docs/node-red.md §1.7). Loaded like bitrix24-editor.js; defines B24Form once.
(function (root) {
    'use strict';

    if (root.B24Form) {
        return;
    }

    var templates = {};

    /** ` name="value"` for each pair whose value is given, in order. */
    function attributes(pairs) {
        return pairs
            .filter(function (pair) {
                return pair[1] !== undefined && pair[1] !== '';
            })
            .map(function (pair) {
                return ' ' + pair[0] + '="' + pair[1] + '"';
            })
            .join('');
    }

    function addTemplate(type, html) {
        templates[type] = html;
        if (typeof document === 'undefined') {
            return;
        }
        var script = document.querySelector('script[data-template-name="' + type + '"]');
        if (!script) {
            script = document.createElement('script');
            script.type = 'text/html';
            script.setAttribute('data-template-name', type);
            (document.getElementById('red-ui-editor-node-configs') || document.body).appendChild(script);
        }
        script.text = html;
    }

    /** `<name ...>content</name>`, or `<name ... />` without content. */
    function element(name, pairs, content) {
        var open = '<' + name + attributes(pairs);
        return content === undefined ? open + ' />' : open + '>' + content + '</' + name + '>';
    }

    /**
     * The row builders of one flow node type. Options of a row: `rowClass`, `rowId` and `rowStyle` for
     * the row itself, `placeholder` (true: the input shows `<type>.placeholder.<name>`) and `width`.
     */
    function forType(type) {
        function key(kind, name) {
            return type + '.' + kind + '.' + name;
        }

        // The parts of a row are inline elements, separated by a space as in a written form.
        function row(options, parts) {
            var className = 'form-row' + (options.rowClass ? ' ' + options.rowClass : '');
            var pairs = [
                ['class', className],
                ['id', options.rowId],
                ['style', options.rowStyle],
            ];
            return element('div', pairs, parts.join(' '));
        }

        function label(name, icon) {
            var text =
                element('i', [['class', 'fa ' + icon]], '') +
                ' ' +
                element('span', [['data-i18n', key('label', name)]], '');
            return element('label', [['for', 'node-input-' + name]], text);
        }

        function input(name, options) {
            return element('input', [
                ['type', 'text'],
                ['id', 'node-input-' + name],
                ['style', options.width && 'width: ' + options.width],
                ['data-i18n', options.placeholder ? '[placeholder]' + key('placeholder', name) : undefined],
            ]);
        }

        function text(name, icon, options) {
            var own = options || {};
            return row(own, [label(name, icon), input(name, own)]);
        }

        /** A TypedInput: the value and, hidden, its type in `<name>Type`. */
        function typed(name, icon, options) {
            var own = Object.assign({ width: '70%' }, options);
            var typeField = element('input', [
                ['type', 'hidden'],
                ['id', 'node-input-' + name + 'Type'],
            ]);
            return row(own, [label(name, icon), input(name, own), typeField]);
        }

        function select(name, icon, values, options) {
            var choices = values.map(function (value) {
                return element(
                    'option',
                    [
                        ['value', value],
                        ['data-i18n', key('option', name + '.' + value)],
                    ],
                    '',
                );
            });
            var list = element(
                'select',
                [
                    ['id', 'node-input-' + name],
                    ['style', 'width: 70%'],
                ],
                choices.join(''),
            );
            return row(options || {}, [label(name, icon), list]);
        }

        /** A whole number followed by its unit, `<type>.label.<unit>`. */
        function number(name, icon, unit, options) {
            var unitText = element('span', [['data-i18n', key('label', unit)]], '');
            return row(options || {}, [label(name, icon), input(name, { width: '80px' }), unitText]);
        }

        function checkbox(name, options) {
            var box = element('input', [
                ['type', 'checkbox'],
                ['id', 'node-input-' + name],
                ['style', 'display: inline-block; width: auto; vertical-align: top'],
            ]);
            var text = element(
                'label',
                [
                    ['for', 'node-input-' + name],
                    ['style', 'width: 70%'],
                    ['data-i18n', key('label', name)],
                ],
                '',
            );
            return row(options || {}, ['<label>&nbsp;</label>', box, text]);
        }

        /** Options: `className`, `id` and `style` of the tip. */
        function tip(name, options) {
            var own = options || {};
            return element(
                'div',
                [
                    ['class', 'form-tips' + (own.className ? ' ' + own.className : '')],
                    ['id', own.id],
                    ['style', own.style],
                    ['data-i18n', '[html]' + key('tip', name)],
                ],
                '',
            );
        }

        return {
            text: text,
            typed: typed,
            select: select,
            number: number,
            checkbox: checkbox,
            tip: tip,
            /** Every flow node starts with its name and its portal. */
            head: function () {
                return text('name', 'fa-tag', { placeholder: true }) + text('portal', 'fa-building');
            },
            /** Makes the rows, in order, the form of this type. */
            template: function (rows) {
                addTemplate(type, rows.join('\n'));
            },
        };
    }

    root.B24Form = {
        forType: forType,
        /** The form built for a type, as the editor will show it; undefined for a static one. */
        template: function (type) {
            return templates[type];
        },
    };
})(this);
