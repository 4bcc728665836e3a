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
 * Builds the JSON envelopes the service receives (ENVELOPE.md is the reference).
 *
 * @package    local_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class envelope {
    /** A batch of outbox events with the current state of what they touch. */
    public const BATCH = 'moodle.batch';
    /** State only (backfill, or a course pushed again): events is empty. */
    public const STATE = 'moodle.state';
    /** The settings page's connection test: nothing to apply. */
    public const PING = 'moodle.ping';

    /**
     * A batch of outbox rows. Its id is derived from the rows, so a retry of the same rows carries the
     * same webhook-id (the service may skip what it already applied) and different rows never share one.
     *
     * @param \stdClass[] $rows outbox rows
     * @return array
     */
    public static function batch(array $rows): array {
        $state = new state();
        $events = [];
        $keys = [];
        foreach ($rows as $row) {
            $data = json_decode($row->payload, false);
            if (!$data instanceof \stdClass) {
                continue;
            }
            $events[] = $data;
            $state->add_event($data);
            $keys[] = $row->id . ':' . $row->timecreated;
        }
        $id = 'msg_' . substr(hash('sha256', get_site_identifier() . '|' . implode(',', $keys)), 0, 32);
        return self::make($id, self::BATCH, $events, $state->build());
    }

    /**
     * A state-only envelope.
     *
     * @param array $state as state::build() gives it
     * @param array|null $backfill where this page sits in a backfill or course push
     * @return array
     */
    public static function state(array $state, ?array $backfill = null): array {
        return self::make(self::new_id(), self::STATE, [], $state, $backfill);
    }

    /**
     * A ping.
     *
     * @return array
     */
    public static function ping(): array {
        return self::make(self::new_id(), self::PING, [], self::empty_state());
    }

    /**
     * A state with nothing in it.
     *
     * @return array
     */
    public static function empty_state(): array {
        return ['courses' => [], 'learners' => [], 'enrolments' => [],
            'removed' => ['courses' => [], 'learners' => [], 'enrolments' => []]];
    }

    /**
     * A fresh message id.
     *
     * @return string
     */
    private static function new_id(): string {
        return 'msg_' . bin2hex(random_bytes(16));
    }

    /**
     * The envelope.
     *
     * @param string $id
     * @param string $type
     * @param array $events
     * @param array $state
     * @param array|null $backfill
     * @return array
     */
    private static function make(string $id, string $type, array $events, array $state, ?array $backfill = null): array {
        global $CFG;
        $envelope = [
            'id'      => $id,
            'type'    => $type,
            'site'    => $CFG->wwwroot,
            'created' => time(),
            'source'  => [
                'plugin'        => 'local_coursenotification',
                'pluginVersion' => (int) get_config('local_coursenotification', 'version'),
                'moodleRelease' => (string) $CFG->release,
                'siteTimeZone'  => \core_date::get_server_timezone(),
                'siteLang'      => (string) $CFG->lang,
            ],
            'events'  => $events,
            'state'   => $state,
        ];
        if ($backfill !== null) {
            $envelope['backfill'] = $backfill;
        }
        return $envelope;
    }
}
