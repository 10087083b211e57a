/* global RED, $, document, window */
// The "Bitrix24" tab of the editor's sidebar: one row per portal connection (and per
// installation of an application on many portals), fed by GET bitrix24/status and, while the tab
// is open, by the live updates the runtime publishes on the editor's socket (`bitrix24/status`).
// The portal node's HTML loads this file; the tab is added once, like core's debug tab.
(function (root) {
    'use strict';

    // Defined (null until the tab is added) once a first copy of this file ran.
    if (root.B24Sidebar !== undefined) {
        return;
    }

    var NAMESPACE = '@b24sync/node-red-bitrix24/bitrix24-portal';
    var TOPIC = 'bitrix24/status';
    /** Every row has this height, so that only the visible ones need to exist (1,000 portals). */
    var ROW_HEIGHT = 76;
    /** Extra rows drawn above and below the visible ones, for smooth scrolling. */
    var OVERSCAN = 6;
    /** How often an open tab tells the runtime that someone still looks. */
    var WATCH_MS = 30000;
    var STATE_ORDER = { blocked: 0, error: 1, throttled: 2, ok: 3 };

    function t(key, args) {
        return RED._(NAMESPACE + ':bitrix24.sidebar.' + key, args);
    }

    /** A number as the row shows it; a dash while unknown. */
    function figure(value) {
        return value === null || value === undefined ? '–' : String(value);
    }

    function age(seconds) {
        if (seconds === null || seconds === undefined) {
            return '–';
        }
        if (seconds < 120) {
            return seconds + ' s';
        }
        if (seconds < 7200) {
            return Math.round(seconds / 60) + ' min';
        }
        return Math.round(seconds / 3600) + ' h';
    }

    /** A polyline of the backlog over the last hour, scaled to its own maximum. */
    function sparkline(samples) {
        var width = 72;
        var height = 18;
        var svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
        svg.setAttribute('class', 'b24-sidebar-chart');
        svg.setAttribute('width', String(width));
        svg.setAttribute('height', String(height));
        svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
        if (!samples || samples.length === 0) {
            return svg;
        }
        var first = samples[0][0];
        var span = Math.max(1, samples[samples.length - 1][0] - first);
        var top = 1;
        samples.forEach(function (point) {
            top = Math.max(top, point[1]);
        });
        var points = samples.map(function (point) {
            var x = samples.length === 1 ? width : ((point[0] - first) / span) * (width - 2) + 1;
            var y = height - 1 - (point[1] / top) * (height - 2);
            return x.toFixed(1) + ',' + y.toFixed(1);
        });
        var line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
        line.setAttribute('points', points.join(' '));
        svg.appendChild(line);
        svg.setAttribute('data-points', points.join(' '));
        return svg;
    }

    function Sidebar() {
        this.rows = new Map();
        this.visibleRows = [];
        this.sortKey = 'state';
        this.descending = false;
        this.filterText = '';
        this.loaded = false;
        this.build();
    }

    Sidebar.prototype.build = function () {
        var self = this;
        var content = $('<div class="b24-sidebar"></div>');
        var bar = $('<div class="red-ui-sidebar-header b24-sidebar-bar"></div>').appendTo(content);
        this.filterInput = $('<input type="text" class="b24-sidebar-filter">')
            .attr('placeholder', t('filter'))
            .appendTo(bar)
            .on('input', function () {
                self.filterText = String($(this).val() || '').toLowerCase();
                self.arrange();
            });
        this.sortSelect = $('<select class="b24-sidebar-sort"></select>').appendTo(bar);
        ['state', 'domain', 'backlog', 'oldest', 'errorRows', 'status503'].forEach(function (key) {
            $('<option>')
                .val(key)
                .text(t('sort.' + key))
                .appendTo(self.sortSelect);
        });
        this.sortSelect.on('change', function () {
            self.sortKey = String($(this).val());
            self.descending = self.sortKey !== 'state' && self.sortKey !== 'domain';
            self.arrange();
        });
        this.directionButton = $('<button type="button" class="red-ui-button red-ui-button-small"></button>')
            .attr('title', t('reverse'))
            .append('<i class="fa fa-sort"></i>')
            .appendTo(bar)
            .on('click', function () {
                self.descending = !self.descending;
                self.arrange();
            });
        this.summary = $('<div class="b24-sidebar-summary"></div>').appendTo(content);
        this.scroller = $('<div class="b24-sidebar-scroller"></div>').appendTo(content);
        this.spacer = $('<div class="b24-sidebar-spacer"></div>').appendTo(this.scroller);
        this.scroller.on('scroll', function () {
            self.draw();
        });
        this.content = content;
    };

    Sidebar.prototype.isOpen = function () {
        return this.content.is(':visible');
    };

    /** The tab was shown: the first look, then live updates while it stays open. */
    Sidebar.prototype.open = function () {
        var self = this;
        this.load();
        if (!this.watchTimer) {
            this.watchTimer = window.setInterval(function () {
                if (self.isOpen()) {
                    $.post('bitrix24/status/watch');
                }
            }, WATCH_MS);
        }
    };

    Sidebar.prototype.load = function () {
        var self = this;
        $.getJSON('bitrix24/status')
            .done(function (snapshot) {
                self.rows.clear();
                snapshot.rows.forEach(function (row) {
                    self.rows.set(row.key, row);
                });
                self.loaded = true;
                self.failed = false;
                self.arrange();
            })
            .fail(function (xhr) {
                self.failed = true;
                self.summary.text(t('loadFailed', { status: xhr.status }));
            });
    };

    /** A live update: the rows that changed and the keys of the rows that are gone. */
    Sidebar.prototype.update = function (message) {
        var self = this;
        if (!this.loaded || !message) {
            return;
        }
        (message.rows || []).forEach(function (row) {
            self.rows.set(row.key, row);
        });
        (message.removed || []).forEach(function (key) {
            self.rows.delete(key);
        });
        if (this.isOpen()) {
            this.arrange();
        }
    };

    Sidebar.prototype.matches = function (row) {
        if (!this.filterText) {
            return true;
        }
        var text = [row.domain, row.nodeId, row.memberId || '', t('state.' + row.state), row.drainedBy || '']
            .join(' ')
            .toLowerCase();
        return text.indexOf(this.filterText) !== -1;
    };

    Sidebar.prototype.sortValue = function (row) {
        switch (this.sortKey) {
            case 'domain':
                return row.domain;
            case 'backlog':
                return row.backlog === null ? -1 : row.backlog;
            case 'oldest':
                return row.oldestAgeSeconds === null ? -1 : row.oldestAgeSeconds;
            case 'errorRows':
                return row.errorRows === null ? -1 : row.errorRows;
            case 'status503':
                return row.lastHour.status503;
            default:
                return STATE_ORDER[row.state];
        }
    };

    /** Filters and sorts the rows, then draws the visible ones. */
    Sidebar.prototype.arrange = function () {
        var self = this;
        var rows = [];
        this.rows.forEach(function (row) {
            if (self.matches(row)) {
                rows.push(row);
            }
        });
        rows.sort(function (a, b) {
            var x = self.sortValue(a);
            var y = self.sortValue(b);
            var order = x < y ? -1 : x > y ? 1 : a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0;
            return self.descending ? -order : order;
        });
        this.visibleRows = rows;
        this.summary.text(
            this.rows.size === 0 ? t('empty') : t('shown', { shown: rows.length, total: this.rows.size }),
        );
        this.spacer.css('height', rows.length * ROW_HEIGHT + 'px');
        this.draw();
    };

    /** Only the rows in view (and a few around them) are in the page. */
    Sidebar.prototype.draw = function () {
        var scrollTop = this.scroller.scrollTop() || 0;
        var height = this.scroller.height() || 600;
        var first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
        var last = Math.min(this.visibleRows.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
        this.spacer.empty();
        for (var i = first; i < last; i++) {
            this.rowElement(this.visibleRows[i])
                .css('top', i * ROW_HEIGHT + 'px')
                .appendTo(this.spacer);
        }
    };

    Sidebar.prototype.rowElement = function (row) {
        var element = $('<div class="b24-sidebar-row"></div>')
            .attr('data-key', row.key)
            .attr('data-state', row.state)
            .css('height', ROW_HEIGHT + 'px');
        var head = $('<div class="b24-sidebar-head"></div>').appendTo(element);
        $('<span class="b24-sidebar-state"></span>')
            .addClass('b24-state-' + row.state)
            .text(t('state.' + row.state))
            .appendTo(head);
        var portalNode = RED.nodes.node(row.nodeId);
        var name = portalNode && portalNode.name ? portalNode.name : '';
        $('<a href="#" class="b24-sidebar-portal"></a>')
            .text(row.domain + (row.memberId ? ' · ' + row.memberId : ''))
            .append(name ? $('<span class="b24-sidebar-name"></span>').text(' · ' + name) : null)
            .attr('title', t('reveal'))
            .on('click', function (event) {
                event.preventDefault();
                reveal(row.nodeId);
            })
            .appendTo(head);
        head.append(sparkline(row.backlogSamples));
        var figures = [
            ['backlog', figure(row.backlog)],
            ['reserved', figure(row.reserved)],
            ['errorRows', figure(row.errorRows)],
            ['oldest', age(row.oldestAgeSeconds)],
            ['bucket', row.bucket ? Math.round(row.bucket.level) + '/' + row.bucket.burst : '–'],
            ['status503', String(row.lastHour.status503)],
            ['status429', String(row.lastHour.status429)],
            ['refreshes', String(row.lastHour.refreshes)],
        ];
        var line = $('<div class="b24-sidebar-figures"></div>').appendTo(element);
        figures.forEach(function (pair) {
            $('<span class="b24-sidebar-figure"></span>')
                .attr('data-figure', pair[0])
                .attr('title', t('figure.' + pair[0] + '.title'))
                .text(t('figure.' + pair[0] + '.short') + ' ' + pair[1])
                .appendTo(line);
        });
        if (row.drainedBy) {
            $('<span class="b24-sidebar-figure" data-figure="drainedBy"></span>')
                .text(t('drainedBy', { instance: row.drainedBy }))
                .appendTo(line);
        }
        var problem = row.lastError || row.queueError;
        if (problem) {
            $('<div class="b24-sidebar-error"></div>')
                .text(problem.message)
                .attr('title', problem.message)
                .appendTo(element);
        }
        return element;
    };

    /** Shows the flow nodes that use portal node `id`, selected; else finds the portal itself. */
    function reveal(id) {
        var users = [];
        RED.nodes.eachNode(function (node) {
            if (node.portal === id) {
                users.push(node);
            }
        });
        if (users.length === 0) {
            RED.search.show(id);
            return;
        }
        var tab = users[0].z;
        RED.view.reveal(users[0].id);
        RED.view.select({
            nodes: users.filter(function (node) {
                return node.z === tab;
            }),
        });
    }

    function addStyles() {
        if ($('#b24-sidebar-css').length === 0) {
            $('<link id="b24-sidebar-css" rel="stylesheet">')
                .attr('href', 'resources/@b24sync/node-red-bitrix24/bitrix24-sidebar.css')
                .appendTo('head');
        }
    }

    function init() {
        addStyles();
        var sidebar = new Sidebar();
        RED.sidebar.addTab({
            id: 'bitrix24',
            label: t('label'),
            name: t('name'),
            iconClass: 'fa fa-exchange',
            content: sidebar.content,
            enableOnEdit: true,
            onchange: function () {
                sidebar.open();
            },
        });
        RED.comms.subscribe(TOPIC, function (_topic, message) {
            sidebar.update(message);
        });
        root.B24Sidebar = sidebar;
    }

    root.B24Sidebar = null;
    // The tab needs the editor's sidebar and jQuery; a page without them (a test's stub) gets none.
    if (typeof $ === 'function' && RED.sidebar) {
        init();
    }
})(this);
