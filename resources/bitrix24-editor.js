/* global RED, $ */
// Editor code shared by the nodes' HTML files. Node-RED serves this folder at
// resources/@b24sync/node-red-bitrix24/ and loads a script tag once per node set that has it, before
// that set's own scripts (docs/node-red.md §1.5); the first load defines window.B24Editor, later ones
// leave it alone. Each node's `RED.nodes.registerType` call stays a literal in its own HTML.
(function (root) {
    'use strict';

    if (root.B24Editor) {
        return;
    }

    /** The catalog namespace of the portal node, whose messages every node may show. */
    var PORTAL_NAMESPACE = '@b24sync/node-red-bitrix24/bitrix24-portal';

    // While the dialog is open the form holds the value being validated; otherwise the node does.
    function fieldValue(prefix, node, name) {
        var $field = typeof $ === 'function' ? $('#' + prefix + name) : null;
        if ($field && $field.length) {
            return $field.attr('type') === 'checkbox' ? $field.is(':checked') : $field.val();
        }
        return node[name];
    }

    function parseObject(text) {
        var value;
        try {
            value = JSON.parse(text);
        } catch {
            return { problem: 'json' };
        }
        if (value === null || typeof value !== 'object' || Array.isArray(value)) {
            return { problem: 'object' };
        }
        return { value: value };
    }

    /** How a label shows a property that is not a literal: `msg.filter`, `flow.x`, or `JSONata`. */
    function typedReference(type, value) {
        return type === 'jsonata' ? 'JSONata' : type + '.' + value;
    }

    /**
     * The helpers of one node type. Validators and labels run with `this` = the node, whose `_`
     * translates in this node set's namespace; the definition's `_` is the fallback when a caller
     * gives no node. `prefix` is the id prefix of the form's inputs (`node-config-input-` for a
     * config node).
     */
    function forType(type, prefix) {
        var inputPrefix = prefix || 'node-input-';

        function t(node, key, args) {
            var translate = node && typeof node._ === 'function' ? node._ : RED.nodes.getType(type)._;
            return translate(key, args);
        }

        // With `opt` the editor wants the message; without it, only whether the value is valid.
        function invalid(node, opt, key, args) {
            return opt ? t(node, key, args) : false;
        }

        function value(node, name) {
            return fieldValue(inputPrefix, node, name);
        }

        function integer(min, key) {
            var isNumber = RED.validators.number();
            return function (v, opt) {
                var text = String(v).trim();
                var ok = isNumber.call(this, text) === true && /^\d+$/.test(text) && Number(text) >= min;
                return ok ? true : invalid(this, opt, key);
            };
        }

        function oneOf(values, key) {
            return function (v, opt) {
                return values.indexOf(v) !== -1 ? true : invalid(this, opt, key);
            };
        }

        /**
         * A TypedInput property whose own type (`json`, `str`) we check with `check(text, node)`, which
         * returns null or the problem as `{key, args}`; the other types (msg, flow, JSONata, ...) are
         * left to the editor's own validator and, when the msg arrives, to the runtime.
         */
        function typed(typeField, defaultType, ownType, check) {
            var editorCheck = RED.validators.typedInput(typeField);
            return function (v, opt) {
                if ((value(this, typeField) || defaultType) !== ownType) {
                    return editorCheck.call(this, v, opt);
                }
                var problem = check(String(v), this);
                return problem ? invalid(this, opt, problem.key, problem.args) : true;
            };
        }

        /** A JSON property that must hold an object (not a list); `key` is the message either way. */
        function jsonObject(typeField, key) {
            return typed(typeField, 'json', 'json', function (text) {
                return parseObject(text).problem ? { key: key } : null;
            });
        }

        /**
         * The `portal` property of a node that uses offline events, which only an OAuth application
         * may (docs/bitrix24.md §0.1): a webhook portal is refused before any deploy. `usesOffline(node)`
         * tells whether this node's settings use them (absent: always). A validator replaces the
         * editor's own check of a config-node property, so this one also refuses a missing or invalid portal.
         */
        function offlinePortal(usesOffline) {
            return function (v, opt) {
                if (!v) {
                    return true; // `required` reports it
                }
                var portal = v === '_ADD_' ? null : RED.nodes.node(v);
                if (!portal) {
                    return opt ? RED._('validator.errors.missing-config', { prop: 'portal' }) : false;
                }
                if (portal.valid === false) {
                    return opt ? RED._('validator.errors.invalid-config', { prop: 'portal' }) : false;
                }
                if (portal.authType === 'webhook' && (!usesOffline || usesOffline(this))) {
                    return invalid(
                        this,
                        opt,
                        PORTAL_NAMESPACE + ':bitrix24-portal.validation.offlineWebhook',
                    );
                }
                return true;
            };
        }

        /** Turns the input `name` into a TypedInput whose type is kept in `<name>Type`. */
        function typedInput(name, defaultType, types) {
            $('#' + inputPrefix + name).typedInput({
                default: defaultType,
                types: types,
                typeField: '#' + inputPrefix + name + 'Type',
            });
        }

        return {
            type: type,
            t: t,
            invalid: invalid,
            value: value,
            integer: integer,
            oneOf: oneOf,
            typed: typed,
            jsonObject: jsonObject,
            offlinePortal: offlinePortal,
            typedInput: typedInput,
            labelStyle: function () {
                return this.name ? 'node_label_italic' : '';
            },
        };
    }

    /**
     * Runs the editor script of a flow node with its helpers and its form builder (B24Form, from
     * resources/bitrix24-form.js, which the same HTML loads); the script keeps its own literal
     * `RED.nodes.registerType` call.
     */
    function node(type, script) {
        script(forType(type), root.B24Form.forType(type));
    }

    /** The same for a config node, whose inputs are `node-config-input-<name>` and whose form is written out. */
    function configNode(type, script) {
        script(forType(type, 'node-config-input-'));
    }

    root.B24Editor = {
        node: node,
        configNode: configNode,
        forType: forType,
        parseObject: parseObject,
        typedReference: typedReference,
    };
})(this);
