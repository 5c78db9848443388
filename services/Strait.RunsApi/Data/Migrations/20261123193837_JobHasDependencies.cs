using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Strait.RunsApi.Data.Migrations
{
    /// <inheritdoc />
    public partial class JobHasDependencies : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "has_dependencies",
                schema: "runs",
                table: "jobs",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            // Jobs that already have dependencies keep being gated.
            migrationBuilder.Sql("UPDATE runs.jobs SET has_dependencies = true WHERE id IN (SELECT job_id FROM runs.job_dependencies)");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "has_dependencies",
                schema: "runs",
                table: "jobs");
        }
    }
}
