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
 * Event observers: every event the CourseNotification service uses goes to the outbox.
 *
 * @package    local_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

// One observer on '*' (every event; the event manager maps it to \core\event\base): the observer keeps
// the events listed in \local_coursenotification\observer::EVENTS plus every learner-participation
// event (edulevel 2: activity views, submissions, attempts...) of a course in scope.
// 'internal' => true (Moodle's default, spelt out): the observer runs at once, inside the database
// transaction of the change when there is one, so the outbox row is committed or rolled back with it.
$observers = [
    [
        'eventname' => '*',
        'callback'  => '\local_coursenotification\observer::observe',
        'internal'  => true,
        'priority'  => 0,
    ],
];
