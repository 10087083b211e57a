/* global RED, $ */
// Editor code of the offline-queue nodes: the filter and order checks of offline get and list, and the
// one form and set of checks that offline clear and offline error share. Loaded from resources/ like
// bitrix24-editor.js (docs/node-red.md §1.5); defines window.B24OfflineEditor once. It uses
// B24Editor and B24OfflineFilterRules only when a node calls it, after all its scripts have loaded.
(function (root) {
    'use strict';

    if (root.B24OfflineEditor) {
        return;
    }

    /**
     * The filter and order validators of offline get (`method` "get") and list ("list"), from the
     * rules the runtime checks too (offline-filter-rules.js, loaded by the same HTML); `helpers` are
     * the node's B24Editor helpers.
     */
    function query(helpers, method) {
        var type = helpers.type;
        var rules = root.B24OfflineFilterRules;
        var own = rules[method];

        function objectProblem(problem, what) {
            return { key: type + '.validation.' + what + '.' + problem };
        }

        function filterProblem(text) {
            var parsed = root.B24Editor.parseObject(text);
            if (parsed.problem) {
                return objectProblem(parsed.problem, 'filter');
            }
            for (var key in parsed.value) {
                var part = rules.splitKey(key);
                if (own.filterFields.indexOf(part.field) === -1) {
                    return {
                        key: type + '.validation.filter.field',
                        args: { field: key, fields: own.filterFields.join(', ') },
                    };
                }
                var value = parsed.value[key];
                if (own.scalarsOnly && (part.op === '@' || (value !== null && typeof value === 'object'))) {
                    return { key: type + '.validation.filter.scalar', args: { field: key } };
                }
                if (own.operators.indexOf(part.op) === -1) {
                    return { key: type + '.validation.filter.operator', args: { field: key } };
                }
            }
            return null;
        }

        function orderProblem(text) {
            var parsed = root.B24Editor.parseObject(text);
            if (parsed.problem) {
                return objectProblem(parsed.problem, 'order');
            }
            for (var key in parsed.value) {
                if (own.orderFields.indexOf(key.toUpperCase()) === -1) {
                    return {
                        key: type + '.validation.order.field',
                        args: { field: key, fields: own.orderFields.join(', ') },
                    };
                }
                if (!/^(asc|desc)$/i.test(String(parsed.value[key]))) {
                    return { key: type + '.validation.order.direction', args: { field: key } };
                }
            }
            return null;
        }

        return {
            filter: helpers.typed('filterType', 'json', 'json', filterProblem),
            order: helpers.typed('orderType', 'json', 'json', orderProblem),
            // Both are JSON by default and may come from the message, the context or JSONata.
            prepare: function () {
                var types = ['json', 'msg', 'flow', 'global', 'env', 'jsonata'];
                helpers.typedInput('filter', 'json', types);
                helpers.typedInput('order', 'json', types);
            },
        };
    }

    /**
     * Offline clear and offline error: the same form and checks over event.offline.clear and
     * event.offline.error (docs/bitrix24.md §2, §3), each in its own catalog: builds the form with
     * `form` and returns the validators and oneditprepare for the definition.
     */
    function confirm(helpers, form) {
        var type = helpers.type;

        function processId() {
            var editorCheck = RED.validators.typedInput('processIdType');
            return function (v, opt) {
                if (String(v).trim() === '') {
                    return helpers.invalid(this, opt, type + '.validation.processId');
                }
                return editorCheck.call(this, v, opt);
            };
        }

        // Empty leaves the choice to the node; a JSON value must list 32-character MESSAGE_IDs.
        function messageIds() {
            var checkJson = helpers.typed('messageIdsType', 'msg', 'json', function (text) {
                var ids;
                try {
                    ids = JSON.parse(text);
                } catch {
                    ids = null;
                }
                var ok =
                    Array.isArray(ids) &&
                    ids.every(function (id) {
                        return typeof id === 'string' && id.length === 32;
                    });
                return ok ? null : { key: type + '.validation.messageIds' };
            });
            return function (v, opt) {
                return String(v).trim() === '' ? true : checkJson.call(this, v, opt);
            };
        }

        form.template([
            form.head(),
            form.typed('processId', 'fa-key'),
            form.typed('messageIds', 'fa-list', { placeholder: true }),
            form.tip('messageIds'),
            form.text('authConnector', 'fa-plug', { placeholder: true, rowStyle: 'margin-top: 8px' }),
            form.checkbox('coalesce'),
            form.number('coalesceMs', 'fa-clock-o', 'milliseconds', { rowId: type + '-coalesce-row' }),
            form.tip('coalesce'),
        ]);

        return {
            processId: processId(),
            messageIds: messageIds(),
            coalesceMs: helpers.integer(0, type + '.validation.coalesceMs'),
            oneditprepare: function () {
                helpers.typedInput('processId', 'msg', ['msg', 'flow', 'global', 'str', 'env', 'jsonata']);
                helpers.typedInput('messageIds', 'msg', ['msg', 'json', 'flow', 'global', 'jsonata']);
                $('#node-input-coalesce')
                    .on('change', function () {
                        $('#' + type + '-coalesce-row').toggle($(this).is(':checked'));
                    })
                    .trigger('change');
            },
        };
    }

    root.B24OfflineEditor = {
        query: query,
        confirm: confirm,
    };
})(this);
