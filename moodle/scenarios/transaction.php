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
 * Shows that outbox rows share Moodle's transaction: php transaction.php --course=ID --user=ID enrols the user inside a delegated transaction that is rolled back (no outbox row, no delivery task may remain), then inside one that commits (rows present). Leaves the user enrolled.
 *
 * @package    local_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

require(__DIR__ . '/lib.php');

scenario_run(function () {
    global $DB;
    $o = scenario_options(['course' => 0, 'user' => 0]);
    $instance = $DB->get_record('enrol', ['courseid' => (int) $o['course'], 'enrol' => 'manual'], '*', MUST_EXIST);
    $roleid = $DB->get_field('role', 'id', ['shortname' => 'student'], MUST_EXIST);
    $plugin = enrol_get_plugin('manual');
    $count = fn() => ['outbox' => $DB->count_records(\local_coursenotification\outbox::TABLE),
        'tasks' => $DB->count_records('task_adhoc', ['classname' => '\local_coursenotification\task\deliver_now'])];

    $before = $count();
    $transaction = $DB->start_delegated_transaction();
    $plugin->enrol_user($instance, (int) $o['user'], $roleid, time(), 0);
    $inside = $count();
    try {
        $transaction->rollback(new \moodle_exception('scenario rollback'));
    } catch (\moodle_exception $e) {
        // The rollback rethrows what it is given.
    }
    $afterrollback = $count();
    \local_coursenotification\observer::reset();

    $transaction = $DB->start_delegated_transaction();
    $plugin->enrol_user($instance, (int) $o['user'], $roleid, time(), 0);
    $transaction->allow_commit();
    $aftercommit = $count();
    return ['before' => $before, 'insideTransaction' => $inside, 'afterRollback' => $afterrollback,
        'afterCommit' => $aftercommit,
        'rolledBackCleanly' => $afterrollback['outbox'] === $before['outbox'],
        'committedRows' => $aftercommit['outbox'] - $before['outbox']];
});
