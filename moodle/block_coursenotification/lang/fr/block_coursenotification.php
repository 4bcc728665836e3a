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
 * Chaînes françaises de block_coursenotification.
 *
 * @package    block_coursenotification
 * @category   string
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$string['coursenotification:addinstance'] = 'Ajouter un bloc CourseNotification';
$string['nosignals'] = 'Aucun rappel n\'est activé pour ce cours.';
$string['notconfigured'] = 'Le service CourseNotification n\'est pas encore configuré sur ce site (Administration du site > Plugins > Plugins locaux > CourseNotification).';
$string['pluginname'] = 'CourseNotification';
$string['privacy:metadata'] = 'Le bloc n\'enregistre rien. Quand un enseignant suit son lien, le plugin local_coursenotification envoie au service une autorisation signée qui le nomme (voir ce plugin).';
