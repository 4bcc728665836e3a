<?php
// This file is part of Moodle - https://moodle.org/
//
// Moodle is free software: you can redistribute it and/or modify
// it under the terms of the GNU General Public License as published by
// the Free Software Foundation, either version 3 of the License, or
// (at your option) any later version.
//
// Moodle is distributed in the hope that it will be useful,
// but WITHOUT ANY WARRANTY; without even the implied warranty of
// MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
// GNU General Public License for more details.
//
// You should have received a copy of the GNU General Public License
// along with Moodle.  If not, see <https://www.gnu.org/licenses/>.

/**
 * Status page for administrators: outbox backlog, oldest row, last delivery, last error, warnings.
 *
 * @package    local_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

require(__DIR__ . '/../../config.php');
require_once($CFG->libdir . '/adminlib.php');

use local_coursenotification\outbox;

admin_externalpage_setup('local_coursenotification_status'); // Login, local/coursenotification:manage.
$context = context_system::instance();
require_capability('local/coursenotification:manage', $context);
$plugin = 'local_coursenotification';
$url = new moodle_url('/local/coursenotification/status.php');
$action = optional_param('action', '', PARAM_ALPHA);

if ($action !== '' && confirm_sesskey()) {
    if ($action === 'acknowledge') {
        set_config('droppedunacknowledged', 0, $plugin);
        redirect($url, get_string('acknowledged', $plugin), null, \core\output\notification::NOTIFY_SUCCESS);
    } else if ($action === 'retry') {
        $count = outbox::retry_all();
        \core\task\manager::queue_adhoc_task(new \local_coursenotification\task\deliver_now(), true);
        redirect($url, get_string('retryqueued', $plugin, $count), null, \core\output\notification::NOTIFY_SUCCESS);
    }
}

$now = time();
$stats = outbox::stats($now);
$config = get_config($plugin);
$never = get_string('never', $plugin);
$when = fn($time) => empty($time) ? $never : userdate((int) $time) . ' (' . get_string('timeago', $plugin, format_time($now - (int) $time)) . ')';

echo $OUTPUT->header();
echo $OUTPUT->heading(get_string('statuspage', $plugin));

if (!\local_coursenotification\scope::configured()) {
    echo $OUTPUT->notification(get_string('check_notconfigured', $plugin), \core\output\notification::NOTIFY_WARNING);
}
if (!empty($config->droppedunacknowledged)) {
    echo $OUTPUT->notification(get_string('droppedwarning', $plugin, [
        'count' => (int) $config->droppedunacknowledged, 'when' => $when($config->lastdrop ?? 0),
        'days' => (int) ($config->maxagedays ?? 0)]), \core\output\notification::NOTIFY_ERROR);
    echo $OUTPUT->single_button(new moodle_url($url, ['action' => 'acknowledge', 'sesskey' => sesskey()]),
        get_string('acknowledge', $plugin));
}

$table = new html_table();
$table->attributes['class'] = 'generaltable';
$table->data = [
    [get_string('status_url', $plugin), s($config->url ?? '')],
    [get_string('status_backlog', $plugin), $stats['total']],
    [get_string('status_due', $plugin), $stats['due']],
    [get_string('status_failing', $plugin), $stats['failing']],
    [get_string('status_oldest', $plugin), $stats['oldest'] === null ? '-' : $when($stats['oldest'])],
    [get_string('status_lastdelivery', $plugin), $when($config->lastdelivery ?? 0)
        . (empty($config->lastdelivery) ? '' : ' · ' . get_string('status_events', $plugin, (int) ($config->lastdeliverycount ?? 0)))],
    [get_string('status_deliveredtotal', $plugin), (int) ($config->deliveredtotal ?? 0)],
    [get_string('status_lasterror', $plugin), empty($config->lasterrortime) ? $never
        : $when($config->lasterrortime) . html_writer::tag('pre', s($config->lasterror ?? ''), ['class' => 'mt-1'])],
    [get_string('status_droppedtotal', $plugin), (int) ($config->droppedtotal ?? 0)],
];
$backfill = json_decode((string) ($config->backfillstate ?? ''), true);
if (is_array($backfill)) {
    $table->data[] = [get_string('status_backfill', $plugin), get_string($backfill['done'] ? 'backfill_done' : 'backfill_partial',
        $plugin, ['index' => (int) $backfill['index'], 'count' => count($backfill['courses'] ?? []),
        'page' => (int) $backfill['page'] + 1, 'when' => $when($backfill['updated'] ?? 0)])];
}
echo html_writer::table($table);

if ($stats['total'] > 0) {
    echo $OUTPUT->single_button(new moodle_url($url, ['action' => 'retry', 'sesskey' => sesskey()]),
        get_string('retrynow', $plugin));
    echo $OUTPUT->heading(get_string('status_oldestrows', $plugin), 3);
    $rows = $DB->get_records(outbox::TABLE, null, 'id ASC', 'id, eventname, courseid, timecreated, attempts, nextattempt, lasterror',
        0, 20);
    $list = new html_table();
    $list->head = [get_string('status_col_event', $plugin), get_string('status_col_course', $plugin),
        get_string('status_col_time', $plugin), get_string('status_col_attempts', $plugin),
        get_string('status_col_next', $plugin), get_string('status_col_error', $plugin)];
    foreach ($rows as $row) {
        $list->data[] = [s($row->eventname), (int) $row->courseid, userdate($row->timecreated), (int) $row->attempts,
            $row->nextattempt > $now ? userdate($row->nextattempt) : get_string('now', $plugin), s((string) $row->lasterror)];
    }
    echo html_writer::table($list);
}
echo html_writer::link(new moodle_url('/local/coursenotification/test.php'), get_string('testconnection', $plugin));
echo $OUTPUT->footer();
