// The filter and order rules of event.offline.get and event.offline.list (docs/bitrix24.md §1), written
// once for both sides: the runtime requires this file (src/bitrix24/offline.ts) and the editor loads it
// as a script from resources/ (docs/node-red.md §1.5), so the two checks cannot disagree.
(function (root) {
    'use strict';

    var GET_FIELDS = ['ID', 'TIMESTAMP_X', 'EVENT_NAME', 'MESSAGE_ID'];
    var LIST_FIELDS = GET_FIELDS.concat(['PROCESS_ID', 'ERROR']);

    var rules = {
        get: {
            // event.offline.get sorts by these (ERROR_ARGUMENT otherwise).
            orderFields: GET_FIELDS,
            // When it reserves new rows the server hands the filter to its ORM's where(): one scalar
            // per condition, no date (TIMESTAMP_X) and only comparison operators; `%` and `@` are
            // "Unknown operator" (docs/bitrix24.md §1, per source, as the emulator follows it).
            filterFields: ['ID', 'EVENT_NAME', 'MESSAGE_ID'],
            operators: ['', '=', '>', '<', '>=', '<='],
            scalarsOnly: true,
        },
        list: {
            orderFields: LIST_FIELDS,
            filterFields: LIST_FIELDS,
            // An operator is a prefix on the field name (docs/bitrix24.md §1).
            operators: ['', '=', '>', '<', '>=', '<=', '@', '%'],
            scalarsOnly: false,
        },
        /** `">=ID"` -> `{op: ">=", field: "ID"}`; a key that names no field gets field `""`. */
        splitKey: function (key) {
            var match = /^([^A-Za-z_]*)([A-Za-z_]+)$/.exec(key);
            return match ? { op: match[1], field: match[2].toUpperCase() } : { op: key, field: '' };
        },
    };

    if (typeof module === 'object' && module && module.exports) {
        module.exports = rules;
    } else if (!root.B24OfflineFilterRules) {
        root.B24OfflineFilterRules = rules;
    }
})(this);
