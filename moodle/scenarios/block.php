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
 * Adds the CourseNotification block to a course's page (once) and forgets its cached counts: php block.php --course=ID. Prints the block instance id.
 *
 * @package    local_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

require(__DIR__ . '/lib.php');

scenario_run(function () {
    global $DB;
    $o = scenario_options(['course' => 0]);
    $course = get_course((int) $o['course']);
    $context = context_course::instance($course->id);
    $existing = $DB->get_field('block_instances', 'id', ['blockname' => 'coursenotification', 'parentcontextid' => $context->id]);
    if (!$existing) {
        $page = new moodle_page();
        $page->set_course($course);
        $page->set_context($context);
        $page->set_pagetype('course-view-' . $course->format);
        $page->set_pagelayout('course');
        $page->blocks->add_block('coursenotification', $page->blocks->get_default_region(), 0, false, 'course-view-*');
        $existing = $DB->get_field('block_instances', 'id', ['blockname' => 'coursenotification', 'parentcontextid' => $context->id],
            MUST_EXIST);
    }
    cache::make('local_coursenotification', 'counts')->delete($course->id);
    return ['blockInstanceId' => (int) $existing, 'courseId' => (int) $course->id];
});
