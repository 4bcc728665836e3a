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
 * Delivers the outbox now, the way cron does: php deliver.php [--via=adhoc|scheduled|both] [--retry] (default both: Moodle's ad-hoc runner for the queued tasks, then the scheduled task; --retry first makes every waiting row due, as the status page's button does). Prints the outbox before and after.
 *
 * @package    local_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

require(__DIR__ . '/lib.php');

scenario_run(function () {
    global $CFG;
    $o = scenario_options(['via' => 'both', 'retry' => false]);
    $before = scenario_status();
    if ($o['retry']) {
        \local_coursenotification\outbox::retry_all();
    }
    $php = escapeshellarg(PHP_BINARY) . ' -d max_input_vars=5000';
    $runs = [];
    if ($o['via'] === 'adhoc' || $o['via'] === 'both') {
        $runs['adhoc'] = shell_exec("$php " . escapeshellarg("$CFG->dirroot/admin/cli/adhoc_task.php")
            . " --execute --force --classname='\\local_coursenotification\\task\\deliver_now' 2>&1");
        $runs['push'] = shell_exec("$php " . escapeshellarg("$CFG->dirroot/admin/cli/adhoc_task.php")
            . " --execute --force --classname='\\local_coursenotification\\task\\push_course' 2>&1");
    }
    if ($o['via'] === 'scheduled' || $o['via'] === 'both') {
        $runs['scheduled'] = shell_exec("$php " . escapeshellarg("$CFG->dirroot/admin/cli/scheduled_task.php")
            . " --execute='\\local_coursenotification\\task\\deliver' --force 2>&1");
    }
    cache_helper::purge_all(); // Config written by the child processes.
    $lines = [];
    foreach ($runs as $via => $text) {
        foreach (preg_split('/\R/', (string) $text) as $line) {
            if (str_contains($line, 'Delivered') || str_contains($line, 'Failed') || str_contains($line, 'course ')
                    || str_contains($line, 'Refused') || str_contains($line, 'WARNING')) {
                $lines[] = "$via: " . trim($line);
            }
        }
    }
    return ['before' => $before, 'after' => scenario_status(), 'log' => $lines];
});
