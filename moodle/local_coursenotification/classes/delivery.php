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
 * Delivers the outbox: batches of due rows, one signed envelope each, rows deleted only on 2xx.
 *
 * A batch the service refuses as malformed (400, 413, 422) is split in halves until the rows
 * at fault are alone, so one bad event never holds back the others. On a transport failure or a 5xx
 * (or 401/403/404: settings) the rows get their backoff and the run stops (the service is down: no point hammering it).
 *
 * @package    local_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class delivery {
    /** The plugin's config name. */
    private const PLUGIN = 'local_coursenotification';

    /** @var int rows delivered */
    private int $delivered = 0;
    /** @var int envelopes accepted */
    private int $envelopes = 0;
    /** @var int failed attempts */
    private int $failures = 0;
    /** @var bool the service is unreachable or failing: stop this run */
    private bool $down = false;
    /** @var callable|null progress output */
    private $trace;

    /**
     * Constructor.
     *
     * @param callable|null $trace receives one line of progress at a time (e.g. mtrace)
     */
    public function __construct(?callable $trace = null) {
        $this->trace = $trace;
    }

    /**
     * Delivers what is due, until nothing is due, the service fails, or the time is up.
     *
     * @param int $maxseconds
     * @return array{delivered:int, envelopes:int, failures:int, locked:bool}
     */
    public function run(int $maxseconds = 50): array {
        if (!scope::configured()) {
            return $this->result(false);
        }
        $lock = \core\lock\lock_config::get_lock_factory('local_coursenotification')->get_lock('delivery', 0, 600);
        if (!$lock) {
            $this->say('Another delivery is running.');
            return $this->result(true);
        }
        try {
            $deadline = time() + $maxseconds;
            $batchsize = min(1000, max(1, (int) (get_config(self::PLUGIN, 'batchsize') ?: 100)));
            while (!$this->down && time() < $deadline) {
                $rows = outbox::due(time(), $batchsize);
                if (!$rows) {
                    break;
                }
                $this->send(array_values($rows));
            }
        } finally {
            $lock->release();
        }
        return $this->result(false);
    }

    /**
     * Sends rows as one envelope; halves a refused batch.
     *
     * @param \stdClass[] $rows
     */
    private function send(array $rows): void {
        $envelope = envelope::batch($rows);
        $response = webhook::send($envelope);
        $now = time();
        if ($response->ok) {
            outbox::delete(array_map(fn($r) => (int) $r->id, $rows));
            $this->delivered += count($rows);
            $this->envelopes++;
            set_config('lastdelivery', $now, self::PLUGIN);
            set_config('lastdeliverycount', count($rows), self::PLUGIN);
            set_config('lastdeliverystatus', $response->status, self::PLUGIN);
            set_config('deliveredtotal', (int) get_config(self::PLUGIN, 'deliveredtotal') + count($rows), self::PLUGIN);
            $woken = outbox::wake($now);
            $this->say("Delivered " . count($rows) . " events ({$envelope['id']}, HTTP {$response->status}, {$response->ms} ms)"
                . ($woken ? ", $woken waiting rows due again" : ''));
            return;
        }
        if ($response->refused && count($rows) > 1) {
            $this->say("Refused ({$response->error}); splitting " . count($rows) . " events");
            $half = intdiv(count($rows), 2);
            $this->send(array_slice($rows, 0, $half));
            if (!$this->down) {
                $this->send(array_slice($rows, $half));
            }
            return;
        }
        outbox::failed($rows, $response->error, $now);
        $this->failures++;
        $this->down = !$response->refused;
        set_config('lasterror', $response->error, self::PLUGIN);
        set_config('lasterrortime', $now, self::PLUGIN);
        $this->say('Failed: ' . count($rows) . " events kept for a later attempt: {$response->error}");
    }

    /**
     * The run's figures.
     *
     * @param bool $locked
     * @return array
     */
    private function result(bool $locked): array {
        return ['delivered' => $this->delivered, 'envelopes' => $this->envelopes, 'failures' => $this->failures,
            'locked' => $locked];
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
