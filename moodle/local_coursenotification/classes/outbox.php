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
 * The outbox table: events waiting for the service, with their backoff.
 *
 * @package    local_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class outbox {
    /** The table. */
    public const TABLE = 'local_coursenotification_ob';

    /** JSON flags for everything this plugin writes. */
    public const JSON = JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE | JSON_PRESERVE_ZERO_FRACTION;

    /**
     * Records an event (in the caller's transaction, if any).
     *
     * @param \core\event\base $event
     * @return int the row id
     */
    public static function add(\core\event\base $event): int {
        global $DB;
        $data = $event->get_data();
        return $DB->insert_record(self::TABLE, (object) [
            'eventname'     => $event->eventname,
            'payload'       => json_encode($data, self::JSON | JSON_THROW_ON_ERROR),
            'courseid'      => (int) ($data['courseid'] ?? 0),
            'userid'        => (int) ($data['userid'] ?? 0),
            'relateduserid' => (int) ($data['relateduserid'] ?? 0),
            'timecreated'   => (int) ($data['timecreated'] ?? time()),
            'attempts'      => 0,
            'nextattempt'   => 0,
            'lasterror'     => null,
        ]);
    }

    /**
     * The oldest rows due now.
     *
     * @param int $now
     * @param int $limit
     * @return \stdClass[] by id, oldest first
     */
    public static function due(int $now, int $limit): array {
        global $DB;
        return $DB->get_records_select(self::TABLE, 'nextattempt <= :now', ['now' => $now], 'id ASC', '*', 0, $limit);
    }

    /**
     * Deletes delivered rows.
     *
     * @param int[] $ids
     */
    public static function delete(array $ids): void {
        global $DB;
        if ($ids) {
            $DB->delete_records_list(self::TABLE, 'id', $ids);
        }
    }

    /**
     * Seconds to wait after the given number of failed attempts: 1, 2, 4, 8... minutes, capped.
     *
     * @param int $attempts failed attempts so far (at least 1)
     * @return int
     */
    public static function backoff(int $attempts): int {
        $cap = max(60, (int) (get_config('local_coursenotification', 'maxbackoff') ?: HOURSECS));
        return (int) min($cap, 60 * (2 ** min(20, max(0, $attempts - 1))));
    }

    /**
     * Records a failed attempt on rows: one more attempt, the next one after the backoff.
     *
     * @param \stdClass[] $rows
     * @param string $error
     * @param int $now
     */
    public static function failed(array $rows, string $error, int $now): void {
        global $DB;
        $byattempts = [];
        foreach ($rows as $row) {
            $byattempts[(int) $row->attempts + 1][] = (int) $row->id;
        }
        $error = \core_text::substr($error, 0, 1000);
        foreach ($byattempts as $attempts => $ids) {
            [$insql, $params] = $DB->get_in_or_equal($ids, SQL_PARAMS_NAMED);
            $params += ['attempts' => $attempts, 'next' => $now + self::backoff($attempts), 'error' => $error];
            $DB->execute("UPDATE {" . self::TABLE . "}
                             SET attempts = :attempts, nextattempt = :next, lasterror = :error
                           WHERE id $insql", $params);
        }
    }

    /**
     * After a delivery went through, the service is back: rows waiting after a transport failure or a
     * 5xx are due at once (rows the service refused as malformed keep their backoff).
     *
     * @param int $now
     * @return int rows made due
     */
    public static function wake(int $now): int {
        global $DB;
        $select = 'nextattempt > :now AND attempts > 0 AND ' . $DB->sql_like('lasterror', ':refused', true, true, true);
        $params = ['now' => $now, 'refused' => 'Refused%'];
        $count = $DB->count_records_select(self::TABLE, $select, $params);
        if ($count) {
            $DB->set_field_select(self::TABLE, 'nextattempt', $now, $select, $params);
        }
        return $count;
    }

    /**
     * Makes every row due now (the status page's "retry now").
     *
     * @return int rows
     */
    public static function retry_all(): int {
        global $DB;
        $count = $DB->count_records_select(self::TABLE, 'nextattempt > 0');
        $DB->set_field_select(self::TABLE, 'nextattempt', 0, 'nextattempt > 0');
        return $count;
    }

    /**
     * Applies the age bound: rows older than the configured number of days are removed, and counted
     * where administrators see them (status page, site checks) until acknowledged. Never silent.
     *
     * @param int $now
     * @return int rows removed
     */
    public static function enforce_age(int $now): int {
        global $DB;
        $days = (int) get_config('local_coursenotification', 'maxagedays');
        if ($days <= 0) {
            return 0;
        }
        $cutoff = $now - $days * DAYSECS;
        $count = $DB->count_records_select(self::TABLE, 'timecreated < :cutoff', ['cutoff' => $cutoff]);
        if (!$count) {
            return 0;
        }
        $oldest = (int) $DB->get_field_select(self::TABLE, 'MIN(timecreated)', 'timecreated < :cutoff', ['cutoff' => $cutoff]);
        $DB->delete_records_select(self::TABLE, 'timecreated < :cutoff', ['cutoff' => $cutoff]);
        $plugin = 'local_coursenotification';
        set_config('droppedtotal', (int) get_config($plugin, 'droppedtotal') + $count, $plugin);
        set_config('droppedunacknowledged', (int) get_config($plugin, 'droppedunacknowledged') + $count, $plugin);
        set_config('lastdrop', $now, $plugin);
        set_config('lastdropoldest', $oldest, $plugin);
        return $count;
    }

    /**
     * Backlog figures for the status page and the site check.
     *
     * @param int $now
     * @return array{total:int, due:int, failing:int, oldest:int|null}
     */
    public static function stats(int $now): array {
        global $DB;
        $oldest = $DB->get_field_sql('SELECT MIN(timecreated) FROM {' . self::TABLE . '}');
        return [
            'total'   => $DB->count_records(self::TABLE),
            'due'     => $DB->count_records_select(self::TABLE, 'nextattempt <= :now', ['now' => $now]),
            'failing' => $DB->count_records_select(self::TABLE, 'attempts > 0'),
            'oldest'  => $oldest === false || $oldest === null ? null : (int) $oldest,
        ];
    }
}
