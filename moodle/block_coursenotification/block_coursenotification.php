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
 * The CourseNotification block.
 *
 * @package    block_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

use local_coursenotification\course_access;

/**
 * On a course page, for those with local/coursenotification:viewcourse there (teachers by default, not
 * students): per enabled signal, how many learners are due now (their names on hover), scheduled this
 * week, sent and failed, as the service counts them (cached a minute); and the link to the service's
 * pages for the course, which mints the user's grant when followed. Others see nothing, not even the block.
 *
 * @package    block_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class block_coursenotification extends block_base {
    /**
     * Title.
     */
    public function init() {
        $this->title = get_string('pluginname', 'block_coursenotification');
    }

    /**
     * Course pages only.
     *
     * @return array
     */
    public function applicable_formats() {
        return ['course-view' => true, 'site' => false, 'my' => false, 'mod' => false];
    }

    /**
     * One per course.
     *
     * @return bool
     */
    public function instance_allow_multiple() {
        return false;
    }

    /**
     * The counts and the link, or nothing (the block is then hidden) for those who may not see them.
     *
     * @return stdClass
     */
    public function get_content() {
        if ($this->content !== null) {
            return $this->content;
        }
        $this->content = (object) ['text' => '', 'footer' => ''];
        $course = $this->page->course;
        if (empty($course->id) || $course->id == SITEID) {
            return $this->content;
        }
        $context = context_course::instance($course->id);
        if (!has_capability('local/coursenotification:viewcourse', $context)) {
            return $this->content;
        }
        if (course_access::service_root() === null) {
            $this->content->text = html_writer::div(get_string('notconfigured', 'block_coursenotification'), 'text-muted');
            return $this->content;
        }
        $counts = course_access::counts((int) $course->id);
        $this->content->text = isset($counts['error'])
            ? html_writer::div(s($counts['error']), 'text-muted')
            : self::counts_html($counts['signals']);
        $this->content->footer = html_writer::link(
            new moodle_url('/local/coursenotification/enter.php', ['id' => $course->id]),
            get_string('block_open', 'local_coursenotification'),
            ['class' => 'block_coursenotification-open']);
        return $this->content;
    }

    /**
     * One line per signal.
     *
     * @param array $signals as the service answers them
     * @return string
     */
    private static function counts_html(array $signals): string {
        if (!$signals) {
            return html_writer::div(get_string('nosignals', 'block_coursenotification'), 'text-muted');
        }
        $items = '';
        foreach ($signals as $signal) {
            $key = (string) ($signal['signal'] ?? '');
            $due = (int) ($signal['due'] ?? 0);
            $names = array_map('strval', (array) ($signal['dueNames'] ?? []));
            $more = $due - count($names);
            $hover = implode(', ', $names) . ($more > 0 ? ' … (+' . $more . ')' : '');
            $parts = [
                html_writer::span(get_string('block_due', 'local_coursenotification', $due),
                    'block_coursenotification-due', $hover !== '' ? ['title' => $hover] : []),
                get_string('block_scheduled', 'local_coursenotification', (int) ($signal['scheduledThisWeek'] ?? 0)),
                get_string('block_sent', 'local_coursenotification', (int) ($signal['sent'] ?? 0)),
                get_string('block_failed', 'local_coursenotification', (int) ($signal['failed'] ?? 0)),
            ];
            $items .= html_writer::tag('li', html_writer::tag('strong', s(self::signal_name($key))) . html_writer::empty_tag('br')
                . implode(' · ', $parts), ['data-signal' => $key]);
        }
        return html_writer::tag('ul', $items, ['class' => 'list-unstyled block_coursenotification-signals']);
    }

    /**
     * A signal's name in the user's language (its key when the plugin has no name for it).
     *
     * @param string $key
     * @return string
     */
    private static function signal_name(string $key): string {
        $strings = get_string_manager();
        if (preg_match('/^end(\d+)$/', $key, $m)) {
            return get_string('signal_end', 'local_coursenotification', (int) $m[1]);
        }
        return $strings->string_exists('signal_' . $key, 'local_coursenotification')
            ? get_string('signal_' . $key, 'local_coursenotification') : $key;
    }
}
