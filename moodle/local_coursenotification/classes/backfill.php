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

namespace local_coursenotification;

/**
 * Pushes the full state of courses in pages of enrolments (state-only envelopes): the backfill CLI and
 * the push_course task.
 *
 * @package    local_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class backfill {
    /** @var callable|null progress output */
    private $trace;

    /**
     * Constructor.
     *
     * @param callable|null $trace receives one line of progress at a time
     * @param bool $dryrun build the pages, send nothing
     * @param int $perpage enrolments per envelope (0: the batch size setting)
     */
    public function __construct(?callable $trace = null, private bool $dryrun = false, private int $perpage = 0) {
        $this->trace = $trace;
        if ($this->perpage <= 0) {
            $this->perpage = min(1000, max(1, (int) (get_config('local_coursenotification', 'batchsize') ?: 100)));
        }
    }

    /**
     * The state of one page of a course: the course, a page of its enrolments and their people.
     *
     * @param int $courseid
     * @param int $page from 0
     * @param int $perpage
     * @return array state, as state::build() gives it
     */
    public static function page_state(int $courseid, int $page, int $perpage): array {
        [$courses, $gone] = state::courses([$courseid]);
        $enrolments = $gone ? [] : state::enrolments_page($courseid, $page * $perpage, $perpage);
        [$learners, $goneusers] = state::users(array_values(array_unique(array_column($enrolments, 'learnerId'))));
        return [
            'courses'    => $courses,
            'learners'   => $learners,
            'enrolments' => $enrolments,
            'removed'    => ['courses' => $gone, 'learners' => $goneusers, 'enrolments' => []],
        ];
    }

    /**
     * Pushes every page of a course from a page on.
     *
     * @param int $courseid
     * @param int $frompage
     * @param callable|null $onpage called with (course id, next page) after each page went through
     * @return array{ok:bool, pages:int, enrolments:int, error:string, page:int}
     */
    public function push_course(int $courseid, int $frompage = 0, ?callable $onpage = null): array {
        $total = state::count_enrolments($courseid);
        $pages = max(1, (int) ceil($total / $this->perpage));
        $sent = 0;
        for ($page = $frompage; $page < $pages; $page++) {
            $meta = ['courseId' => $courseid, 'page' => $page, 'pages' => $pages, 'perPage' => $this->perpage,
                'total' => $total, 'last' => $page === $pages - 1];
            if ($this->dryrun) {
                $state = self::page_state($courseid, $page, $this->perpage);
                $envelope = envelope::state($state, $meta);
                $count = count($state['enrolments']);
                $this->say(sprintf('course %d page %d/%d: %d enrolments, %d people (dry run, %d bytes)', $courseid,
                    $page + 1, $pages, $count, count($state['learners']), strlen(json_encode($envelope, outbox::JSON))));
                $sent += $count;
                continue;
            }
            // One envelope at a time per site (the delivery task takes the same lock), so an envelope sent
            // later always carries state read later.
            $lock = \core\lock\lock_config::get_lock_factory('local_coursenotification')->get_lock('delivery', 120, 600);
            if (!$lock) {
                return ['ok' => false, 'pages' => $page - $frompage, 'enrolments' => $sent, 'error' => 'delivery lock busy',
                    'page' => $page];
            }
            try {
                $state = self::page_state($courseid, $page, $this->perpage);
                $response = webhook::send(envelope::state($state, $meta));
            } finally {
                $lock->release();
            }
            if (!$response->ok) {
                $this->say(sprintf('course %d page %d/%d: failed: %s', $courseid, $page + 1, $pages, $response->error));
                set_config('lasterror', $response->error, 'local_coursenotification');
                set_config('lasterrortime', time(), 'local_coursenotification');
                return ['ok' => false, 'pages' => $page - $frompage, 'enrolments' => $sent, 'error' => $response->error,
                    'page' => $page];
            }
            $count = count($state['enrolments']);
            $sent += $count;
            $this->say(sprintf('course %d page %d/%d: %d enrolments, %d people sent (HTTP %d, %d ms)', $courseid,
                $page + 1, $pages, $count, count($state['learners']), $response->status, $response->ms));
            if ($onpage) {
                $onpage($courseid, $page + 1);
            }
        }
        return ['ok' => true, 'pages' => $pages - $frompage, 'enrolments' => $sent, 'error' => '', 'page' => $pages];
    }

    /**
     * Progress output.
     *
     * @param string $line
     */
    private function say(string $line): void {
        if ($this->trace) {
            ($this->trace)($line);
        }
    }
}
