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
 * Pushes the full state of courses to the CourseNotification service, in pages, resumably.
 *
 * @package    local_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

define('CLI_SCRIPT', true);

require(__DIR__ . '/../../../config.php');
require_once($CFG->libdir . '/clilib.php');

use local_coursenotification\backfill;
use local_coursenotification\scope;

[$options, $unrecognised] = cli_get_params(
    ['course' => '', 'all' => false, 'dry-run' => false, 'restart' => false, 'perpage' => 0, 'help' => false],
    ['c' => 'course', 'a' => 'all', 'n' => 'dry-run', 'h' => 'help']
);
if ($unrecognised) {
    cli_error(get_string('cliunknowoption', 'admin', implode(PHP_EOL . '  ', $unrecognised)), 2);
}
if ($options['help'] || ($options['course'] === '' && !$options['all']) || ($options['course'] !== '' && $options['all'])) {
    echo get_string('cli_backfill_help', 'local_coursenotification'), PHP_EOL;
    exit($options['help'] ? 0 : 2);
}

\core\session\manager::set_user(get_admin());
if (!scope::configured() && !$options['dry-run']) {
    cli_error(get_string('error_nourl', 'local_coursenotification'), 1);
}

// What to push.
if ($options['all']) {
    $mode = 'all';
    $courses = scope::all_course_ids();
} else {
    $courseid = clean_param($options['course'], PARAM_INT);
    if ($courseid <= SITEID || !$DB->record_exists('course', ['id' => $courseid])) {
        cli_error(get_string('cli_nocourse', 'local_coursenotification', $options['course']), 2);
    }
    $mode = 'course:' . $courseid;
    $courses = [$courseid];
}
$perpage = (int) $options['perpage'];

// Resume where an interrupted run of the same kind stopped (saved after every page that went through).
$index = 0;
$page = 0;
$saved = json_decode((string) get_config('local_coursenotification', 'backfillstate'), true);
if (!$options['dry-run'] && !$options['restart'] && is_array($saved) && ($saved['mode'] ?? '') === $mode
        && empty($saved['done']) && ($saved['perpage'] ?? 0) === $perpage) {
    $courses = array_map('intval', $saved['courses']);
    $index = (int) $saved['index'];
    $page = (int) $saved['page'];
    cli_writeln(get_string('cli_resuming', 'local_coursenotification',
        ['course' => $courses[$index] ?? 0, 'index' => $index + 1, 'count' => count($courses), 'page' => $page + 1]));
}
$save = function (int $index, int $page, bool $done) use ($mode, $courses, $perpage, $options): void {
    if ($options['dry-run']) {
        return;
    }
    set_config('backfillstate', json_encode(['mode' => $mode, 'courses' => $courses, 'index' => $index, 'page' => $page,
        'perpage' => $perpage, 'done' => $done, 'updated' => time()]), 'local_coursenotification');
};

$runner = new backfill(fn(string $line) => cli_writeln('  ' . $line), (bool) $options['dry-run'], $perpage);
$start = microtime(true);
$totalenrolments = 0;
$count = count($courses);
for (; $index < $count; $index++, $page = 0) {
    $courseid = $courses[$index];
    cli_writeln(sprintf('[%d/%d] course %d', $index + 1, $count, $courseid));
    $save($index, $page, false);
    $result = $runner->push_course($courseid, $page, fn(int $c, int $next) => $save($index, $next, false));
    $totalenrolments += $result['enrolments'];
    if (!$result['ok']) {
        cli_writeln(get_string('cli_stopped', 'local_coursenotification', $result['error']));
        exit(1);
    }
}
$save($count, 0, true);
cli_writeln(get_string('cli_done', 'local_coursenotification',
    ['courses' => $count, 'enrolments' => $totalenrolments, 'seconds' => round(microtime(true) - $start, 1)]));
