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
 * Test connection: sends a signed ping (type moodle.ping) to the service and shows its answer.
 *
 * @package    local_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

require(__DIR__ . '/../../config.php');
require_once($CFG->libdir . '/adminlib.php');

use local_coursenotification\envelope;
use local_coursenotification\webhook;

admin_externalpage_setup('local_coursenotification_test'); // Login, local/coursenotification:manage.
require_capability('local/coursenotification:manage', context_system::instance());
$plugin = 'local_coursenotification';
$url = new moodle_url('/local/coursenotification/test.php');

echo $OUTPUT->header();
echo $OUTPUT->heading(get_string('testconnection', $plugin));
echo html_writer::tag('p', get_string('test_intro', $plugin, s((string) get_config($plugin, 'url'))));

if (optional_param('send', 0, PARAM_BOOL) && confirm_sesskey()) {
    $ping = envelope::ping();
    $response = webhook::send($ping);
    $message = $response->ok
        ? get_string('test_ok', $plugin, ['status' => $response->status, 'ms' => $response->ms])
        : get_string('test_failed', $plugin, s($response->error));
    echo $OUTPUT->notification($message, $response->ok ? \core\output\notification::NOTIFY_SUCCESS
        : \core\output\notification::NOTIFY_ERROR);
    $details = new html_table();
    $details->data = [
        [get_string('test_id', $plugin), s($ping['id'])],
        [get_string('test_status', $plugin), $response->status ?: '-'],
        [get_string('test_duration', $plugin), $response->ms . ' ms'],
        [get_string('test_answer', $plugin), html_writer::tag('pre', s(core_text::substr($response->body, 0, 4000)))],
    ];
    echo html_writer::table($details);
}

echo $OUTPUT->single_button(new moodle_url($url, ['send' => 1, 'sesskey' => sesskey()]), get_string('test_send', $plugin));
echo html_writer::div(html_writer::link(new moodle_url('/local/coursenotification/status.php'),
    get_string('statuspage', $plugin)), 'mt-3');
echo $OUTPUT->footer();
